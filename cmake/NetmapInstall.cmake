# Installation where Debian's man, bash, zsh and fish look, and a .deb via CPack.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/man/" DESTINATION "${CMAKE_INSTALL_MANDIR}"
        FILES_MATCHING PATTERN "*.1" PATTERN "*.5")
# Pages live in man/man1 and man/man5, so the tree above maps onto MANDIR/man1 and MANDIR/man5.
if(EXISTS "${PROJECT_SOURCE_DIR}/completions/netmap.bash")
  install(FILES "${PROJECT_SOURCE_DIR}/completions/netmap.bash"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" RENAME netmap)
endif()
if(EXISTS "${PROJECT_SOURCE_DIR}/completions/_netmap")
  install(FILES "${PROJECT_SOURCE_DIR}/completions/_netmap"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions")
endif()
if(EXISTS "${PROJECT_SOURCE_DIR}/completions/netmap.fish")
  install(FILES "${PROJECT_SOURCE_DIR}/completions/netmap.fish"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d")
endif()
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/docs/policy-format.md"
              "${PROJECT_SOURCE_DIR}/docs/inventory-format.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")

# Installing and packaging need only the netmap executable: `make install` and cpack (which runs
# the preinstall target) must not first build every test and benchmark, nor rebuild under ctest.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
# Debian ships stripped binaries (the debug info stays in the build tree); keeps the .deb small.
set(CPACK_STRIP_FILES ON)

set(CPACK_PACKAGE_NAME netmap)
set(CPACK_PACKAGE_VENDOR "netmap developers")
set(CPACK_PACKAGE_CONTACT "netmap developers <netmap@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Runtime libraries of the Debian 12 packages we build against (shlibdeps needs dpkg-shlibdeps;
# name them explicitly so the package is right even where that tool is missing).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6 (>= 2.36), libgcc-s1 (>= 3.0), libstdc++6 (>= 12), libyaml-cpp0.7, libidn2-0, libpcap0.8, libldns3, libssl3")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "iproute2")
include(CPack)
