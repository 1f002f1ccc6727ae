// Asio and Beast are header-only by default; compiling them once here
// (BOOST_ASIO/BEAST_SEPARATE_COMPILATION) saves tens of seconds per
// translation unit that uses them.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
