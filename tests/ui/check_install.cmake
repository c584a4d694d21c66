# Installs the desktop component into PREFIX and checks that every file landed where desktops look.
# Usage: cmake -DBUILD_DIR=... -DPREFIX=... -P check_install.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --component desktop --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc}):\n${out}\n${err}")
endif()
foreach(f share/applications/io.github.initscope.desktop
          share/metainfo/io.github.initscope.metainfo.xml
          share/icons/hicolor/scalable/apps/io.github.initscope.svg)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(READ "${PREFIX}/share/applications/io.github.initscope.desktop" desktop)
if(NOT desktop MATCHES "Icon=io.github.initscope\n")
  message(FATAL_ERROR "the desktop file does not name the installed icon")
endif()
message(STATUS "desktop files installed under ${PREFIX}")
