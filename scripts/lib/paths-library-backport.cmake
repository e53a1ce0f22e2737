# Appended by scripts/paths-library-at to harness/CMakeLists.txt of a revision older than
# libqgemv_paths.so: the qgemv_paths target of the current harness/CMakeLists.txt, built from
# paths_abi_export_backport.cpp (copied into kernels/launch/ with the current paths_abi.h and
# exports map) over that revision's kernels. QGEMV_PATHS_REVISION is what the table reports.
set(QGEMV_PATHS_REVISION "unknown" CACHE STRING "The revision the paths library reports")
set(QGEMV_PATHS_MAP ${PROJECT_SOURCE_DIR}/kernels/launch/paths_abi_exports.map)
add_library(qgemv_paths SHARED ${PROJECT_SOURCE_DIR}/kernels/launch/paths_abi_export_backport.cpp)
target_compile_definitions(qgemv_paths PRIVATE QGEMV_PATHS_REVISION="${QGEMV_PATHS_REVISION}")
target_link_libraries(qgemv_paths PRIVATE qgemv_kernels CUDA::cudart_static)
target_link_options(qgemv_paths PRIVATE ${QGEMV_PORTABLE_LINK} -Wl,--exclude-libs,ALL
                    -Wl,-Bsymbolic -Wl,--no-undefined -Wl,--version-script=${QGEMV_PATHS_MAP})
set_target_properties(qgemv_paths PROPERTIES CXX_VISIBILITY_PRESET hidden
                                             VISIBILITY_INLINES_HIDDEN ON
                                             LINK_DEPENDS ${QGEMV_PATHS_MAP}
                                             LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
