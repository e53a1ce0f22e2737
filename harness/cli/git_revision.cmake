# Regenerates build_info.cpp on every build, rewriting it only when the revision changed, so
# results always name the sources they were measured with. A tree with uncommitted changes is
# marked "-dirty".
execute_process(COMMAND git -C ${SOURCE_DIR} rev-parse --short=12 HEAD
                OUTPUT_VARIABLE QGEMV_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR QGEMV_GIT_REVISION STREQUAL "")
  if(EXISTS ${SOURCE_DIR}/.git-revision)
    file(READ ${SOURCE_DIR}/.git-revision QGEMV_GIT_REVISION)
    string(STRIP "${QGEMV_GIT_REVISION}" QGEMV_GIT_REVISION)
  else()
    set(QGEMV_GIT_REVISION "unknown")
  endif()
else()
  execute_process(COMMAND git -C ${SOURCE_DIR} status --porcelain --untracked-files=no
                  OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT dirty STREQUAL "")
    set(QGEMV_GIT_REVISION "${QGEMV_GIT_REVISION}-dirty")
  endif()
endif()
configure_file(${INPUT} ${OUTPUT}.tmp @ONLY)
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
