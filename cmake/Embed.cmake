# sentinel_embed_files(<target> <namespace> <output-name> FILES f1 f2 ...)
# Generates a .cpp with one `std::string_view` per file, looked up by file
# name, so migrations and static documents ship inside the binary.
function(sentinel_embed_files target ns name)
  cmake_parse_arguments(ARG "" "" "FILES" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${name}.cpp")
  # A CMake list would be split into separate shell arguments: pass it
  # '|'-separated instead.
  string(REPLACE ";" "|" files_arg "${ARG_FILES}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${ns} "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedScript.cmake
    DEPENDS ${ARG_FILES} ${PROJECT_SOURCE_DIR}/cmake/EmbedScript.cmake
    COMMENT "Embedding ${name}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
