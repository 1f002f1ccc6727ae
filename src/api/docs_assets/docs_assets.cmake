# Swagger UI for /docs: the npm package pinned in package-lock.json is
# installed into the build tree with `npm ci` (the only download the build
# makes), and its files are compiled into the binary with our page.
find_program(NPM_PROGRAM npm REQUIRED)
set(_docs_src ${CMAKE_CURRENT_LIST_DIR})
set(_docs_out ${CMAKE_CURRENT_BINARY_DIR}/docs_npm)
set(_swagger ${_docs_out}/node_modules/swagger-ui-dist)
add_custom_command(
  OUTPUT ${_swagger}/swagger-ui-bundle.js ${_swagger}/swagger-ui.css
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_docs_out}
  COMMAND ${CMAKE_COMMAND} -E copy ${_docs_src}/package.json ${_docs_src}/package-lock.json ${_docs_out}/
  COMMAND ${NPM_PROGRAM} ci --no-audit --no-fund --ignore-scripts --loglevel=error
  COMMAND ${CMAKE_COMMAND} -E touch ${_swagger}/swagger-ui-bundle.js ${_swagger}/swagger-ui.css
  WORKING_DIRECTORY ${_docs_out}
  DEPENDS ${_docs_src}/package.json ${_docs_src}/package-lock.json
  COMMENT "npm ci: swagger-ui-dist (pinned in package-lock.json)"
  VERBATIM)
# Embedded keys: docs_assets/index.html, docs_assets/swagger-initializer.js,
# swagger-ui-dist/swagger-ui.css, swagger-ui-dist/swagger-ui-bundle.js.
set(SENTINEL_DOCS_ASSET_FILES
  ${_docs_src}/index.html ${_docs_src}/swagger-initializer.js
  ${_swagger}/swagger-ui.css ${_swagger}/swagger-ui-bundle.js)
