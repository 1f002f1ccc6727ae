# Every dependency comes from a Debian package (see scripts/install-deps).
find_package(Threads REQUIRED)
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json url)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(JWT REQUIRED IMPORTED_TARGET libjwt)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
# Prometheus rule files (import and export, product.md §10).
pkg_check_modules(YAML_CPP REQUIRED IMPORTED_TARGET yaml-cpp)

# SOCI 4.0 ships no CMake package on Debian: build imported targets by hand.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIB soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIB soci_sqlite3 REQUIRED)
find_library(SOCI_POSTGRESQL_LIB soci_postgresql REQUIRED)
add_library(soci::soci INTERFACE IMPORTED)
target_include_directories(soci::soci INTERFACE ${SOCI_INCLUDE_DIR} ${LIBPQ_INCLUDE_DIRS})
target_link_libraries(soci::soci INTERFACE
  ${SOCI_SQLITE3_LIB} ${SOCI_POSTGRESQL_LIB} ${SOCI_CORE_LIB}
  PkgConfig::SQLITE3 PkgConfig::LIBPQ ${CMAKE_DL_LIBS})

# Asio and Beast are compiled once, in src/core/asio_impl.cpp.
add_library(sentinel_boost_options INTERFACE)
target_compile_definitions(sentinel_boost_options INTERFACE
  BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED BOOST_JSON_NO_LIB BOOST_URL_NO_LIB)
target_link_libraries(sentinel_boost_options INTERFACE Boost::headers Threads::Threads)
