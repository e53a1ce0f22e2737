# qgemv_add_paths_library(<target> <source>...): a project's own GEMV paths as a paths library,
# a MODULE (<target>.so) that `qgemv verify|gemv|bench --paths-lib <target>.so` loads beside
# the built-in paths. The sources define the four functions of kernels/launch/paths_abi.h
# (extern "C", default visibility); everything else stays inside the library, as in qgemv's
# own libqgemv_paths.so: hidden visibility, static libraries (the CUDA runtime) hidden, the
# library's own symbols bound to itself, and a version script that exports the four functions
# only. So its C++ names never meet qgemv's, nor those of another loaded library.
# Installed with the package and included by qgemvConfig.cmake.
set(qgemv_PATHS_ABI_EXPORTS "${CMAKE_CURRENT_LIST_DIR}/paths_abi_exports.map")

function(qgemv_add_paths_library target)
  add_library(${target} MODULE ${ARGN})
  # qgemv::formats: the headers (paths_abi.h, the Q4_K blocks), nothing compiled. The static
  # runtime makes the library independent of the toolkit qgemv was built with.
  target_link_libraries(${target} PRIVATE qgemv::formats CUDA::cudart_static)
  target_link_options(${target} PRIVATE -Wl,--exclude-libs,ALL -Wl,-Bsymbolic -Wl,--no-undefined
                      "-Wl,--version-script=${qgemv_PATHS_ABI_EXPORTS}")
  set_target_properties(${target} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden
                                             CUDA_VISIBILITY_PRESET hidden
                                             VISIBILITY_INLINES_HIDDEN ON
                                             LINK_DEPENDS "${qgemv_PATHS_ABI_EXPORTS}")
endfunction()
