# The web console (web/): its npm packages, pinned in package-lock.json, are
# installed into the build tree with `npm ci` (from the npm registry, like
# the /docs assets), then web/build.mjs bundles the TypeScript sources with
# esbuild into app.js, app.css (+ .gz) and index.html, which are compiled
# into the binary (api/console.*). The sources are copied next to the
# packages so a fresh clone's web/ stays untouched.
#   SENTINEL_CONSOLE_FILES   the five outputs, for sentinel_embed_files
#   SENTINEL_WEB_BUILD_DIR   the copy with node_modules (ctest: web unit tests)
find_program(NPM_PROGRAM npm REQUIRED)
find_program(NODE_PROGRAM NAMES node nodejs REQUIRED)
set(_web_src ${PROJECT_SOURCE_DIR}/web)
set(_web_out ${CMAKE_CURRENT_BINARY_DIR}/web)
set(_web_ci_stamp ${_web_out}/node_modules/.sentinel-npm-ci)
add_custom_command(
  OUTPUT ${_web_ci_stamp}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_web_out}
  COMMAND ${CMAKE_COMMAND} -E copy ${_web_src}/package.json ${_web_src}/package-lock.json ${_web_out}/
  COMMAND ${NPM_PROGRAM} ci --no-audit --no-fund --ignore-scripts --loglevel=error
  COMMAND ${CMAKE_COMMAND} -E touch ${_web_ci_stamp}
  WORKING_DIRECTORY ${_web_out}
  DEPENDS ${_web_src}/package.json ${_web_src}/package-lock.json
  COMMENT "npm ci: the web console's packages (pinned in web/package-lock.json)"
  VERBATIM)
file(GLOB_RECURSE _web_sources CONFIGURE_DEPENDS ${_web_src}/src/* ${_web_src}/test/*)
set(_web_dist ${_web_out}/dist)
set(SENTINEL_CONSOLE_FILES
  ${_web_dist}/index.html ${_web_dist}/app.js ${_web_dist}/app.js.gz ${_web_dist}/app.css ${_web_dist}/app.css.gz)
add_custom_command(
  OUTPUT ${SENTINEL_CONSOLE_FILES}
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${_web_out}/src ${_web_out}/test
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${_web_src}/src ${_web_out}/src
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${_web_src}/test ${_web_out}/test
  COMMAND ${CMAKE_COMMAND} -E copy ${_web_src}/build.mjs ${_web_src}/tsconfig.json ${_web_out}/
  COMMAND ${NODE_PROGRAM} build.mjs --outdir ${_web_dist}
  WORKING_DIRECTORY ${_web_out}
  DEPENDS ${_web_ci_stamp} ${_web_sources} ${_web_src}/build.mjs ${_web_src}/tsconfig.json
  COMMENT "web/build.mjs: bundling the web console"
  VERBATIM)
set(SENTINEL_WEB_BUILD_DIR ${_web_out} CACHE INTERNAL "the web console's build copy (node_modules, sources, tests)")
