// Boost.JSON and Boost.URL built from source for the fuzz targets only, so
// that their parsers carry coverage counters and sanitizer checks (the
// product links Debian's libboost_json / libboost_url instead).
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
