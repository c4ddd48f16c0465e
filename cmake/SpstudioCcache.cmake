# Use ccache when it is installed. The sloppiness settings let ccache cache translation units
# that are compiled against a precompiled header (LibTorch's), which is most of them.
find_program(SPSTUDIO_CCACHE ccache)
if(SPSTUDIO_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      ${SPSTUDIO_CCACHE})
  message(STATUS "spstudio: compiling through ccache (${SPSTUDIO_CCACHE})")
endif()
