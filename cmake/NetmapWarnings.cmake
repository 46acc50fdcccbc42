# One INTERFACE target that carries the project's warning flags; every module links it.
add_library(netmap_warnings INTERFACE)
target_compile_options(netmap_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wnon-virtual-dtor
  -Wno-sign-conversion -Wold-style-cast -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
if(NETMAP_WERROR)
  target_compile_options(netmap_warnings INTERFACE -Werror)
endif()
