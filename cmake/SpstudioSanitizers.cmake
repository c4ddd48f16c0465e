# SPSTUDIO_SANITIZE=address,undefined builds everything instrumented (the `asan` preset).
if(SPSTUDIO_SANITIZE)
  add_compile_options(-fsanitize=${SPSTUDIO_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${SPSTUDIO_SANITIZE})
  message(STATUS "spstudio: sanitizers ${SPSTUDIO_SANITIZE}")
endif()
