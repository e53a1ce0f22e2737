# `cmake --install` rules: the qgemv CLI, and the checker as a CMake package for other projects'
# tests (find_package(qgemv), targets qgemv::reference, qgemv::verify, ...). Included at the end
# of the top CMakeLists.txt, once every target exists.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Headers keep their source-root paths ("reference/error_model.h") under include/qgemv/, so that
# code written against the source tree compiles unchanged against an install, while top-level
# names as generic as kernels/ and reference/ stay out of a shared prefix's include/. Every
# exported target links qgemv_formats, whose install interface names this directory.
set(QGEMV_INSTALL_INCLUDEDIR include/qgemv)
set(QGEMV_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/qgemv)

# The libraries behind the reference, the error model and verification, and what they link.
# Not the benchmark or results libraries: they would make every user install Google Benchmark
# and fast-cpp-csv-parser for parts a test does not need.
set(QGEMV_EXPORTED_TARGETS qgemv_formats qgemv_reference qgemv_kernels qgemv_executor qgemv_gguf
                           qgemv_external qgemv_verify)
foreach(target IN LISTS QGEMV_EXPORTED_TARGETS)
  string(REPLACE "qgemv_" "" export_name ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
endforeach()

install(TARGETS ${QGEMV_EXPORTED_TARGETS} EXPORT qgemvTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS qgemv RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Beside qgemv, where bench's A/B mode looks for the build's own paths (--ab-candidate's default).
install(TARGETS qgemv_paths LIBRARY DESTINATION ${CMAKE_INSTALL_BINDIR})

# Every header of the exported libraries' directories, device helpers (.cuh) included: a user's
# kernel may build on kernels/gemv/q4k_lane_dot.cuh as the built-in ones do.
foreach(dir kernels reference harness/executor harness/external harness/gguf harness/io
            harness/verify)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${QGEMV_INSTALL_INCLUDEDIR}/${dir}
          FILES_MATCHING PATTERN "*.h" PATTERN "*.cuh")
endforeach()

install(EXPORT qgemvTargets NAMESPACE qgemv:: DESTINATION ${QGEMV_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/qgemvConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/qgemvConfig.cmake
                              INSTALL_DESTINATION ${QGEMV_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the interface, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/qgemvConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/qgemvConfig.cmake ${PROJECT_BINARY_DIR}/qgemvConfigVersion.cmake
        DESTINATION ${QGEMV_INSTALL_CMAKEDIR})
# qgemv_add_paths_library() for a project's own paths library, and the version script it links
# with (the one libqgemv_paths.so uses): kernels/launch/paths_abi.h itself is installed above.
install(FILES ${PROJECT_SOURCE_DIR}/cmake/qgemvPathsLibrary.cmake
              ${PROJECT_SOURCE_DIR}/kernels/launch/paths_abi_exports.map
        DESTINATION ${QGEMV_INSTALL_CMAKEDIR})
