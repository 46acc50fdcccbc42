# Turns each data/presets/NAME.txt into a raw string literal entry of preset_data.inc.
# The text is kept whole (comments included) so provenance travels with the binary.
set(_out "// Generated from data/presets by cmake/EmbedPresets.cmake; do not edit.\n")
separate_arguments(_files UNIX_COMMAND "${INPUTS}")
foreach(f IN LISTS _files)
  get_filename_component(_name "${f}" NAME_WE)
  file(READ "${f}" _text)
  string(APPEND _out "{\"${_name}\", R\"netmap_preset(${_text})netmap_preset\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "${_out}")
file(RENAME "${OUT}.tmp" "${OUT}")
