# spstudio_target_warnings(target): the project's warning set, for our own sources only.
# Third-party headers (LibTorch, GoogleTest) come in as SYSTEM includes and stay quiet.
function(spstudio_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wcast-align -Wimplicit-fallthrough
    # Option structs are meant to be brace-initialised in part.
    -Wno-missing-field-initializers)
  if(SPSTUDIO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
