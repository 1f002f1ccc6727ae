add_library(sentinel_warnings INTERFACE)
add_library(sentinel::warnings ALIAS sentinel_warnings)
target_compile_options(sentinel_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual
  $<$<BOOL:${SENTINEL_WERROR}>:-Werror>)
