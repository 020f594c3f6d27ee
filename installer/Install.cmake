# Install rules and CPack (.deb) configuration. Included at the end of the top-level CMakeLists.txt.
#
# Everything that belongs in the package is installed as component "mirrordesk"
# (${MIRRORDESK_INSTALL_COMPONENT}); CPack packages only that component, so install() rules that
# tests or helper libraries may carry never end up in the .deb. Add new packaged files here with
# COMPONENT ${MIRRORDESK_INSTALL_COMPONENT}.
#
#   cmake --install build/release --prefix /tmp/stage       # staged install
#   installer/bootstrap.sh package                           # build/release/mirrordesk_<ver>_<arch>.deb

include(GNUInstallDirs)

set(MIRRORDESK_INSTALL_COMPONENT mirrordesk)
set(_md_res "${PROJECT_SOURCE_DIR}/resources")

if(TARGET mirrordesk)
    install(TARGETS mirrordesk
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
        COMPONENT ${MIRRORDESK_INSTALL_COMPONENT})
else()
    message(WARNING "installer/Install.cmake: no 'mirrordesk' target; the package will hold no executable")
endif()

install(FILES "${_md_res}/org.mirrordesk.MirrorDesk.desktop"
    DESTINATION "${CMAKE_INSTALL_DATADIR}/applications"
    COMPONENT ${MIRRORDESK_INSTALL_COMPONENT})
install(FILES "${_md_res}/mirrordesk.svg"
    DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps"
    COMPONENT ${MIRRORDESK_INSTALL_COMPONENT})
install(FILES "${_md_res}/org.mirrordesk.MirrorDesk.metainfo.xml"
    DESTINATION "${CMAKE_INSTALL_DATADIR}/metainfo"
    COMPONENT ${MIRRORDESK_INSTALL_COMPONENT})

# ---- CPack: one monolithic .deb -------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mirrordesk)
set(CPACK_PACKAGE_VENDOR "MirrorDesk developers")
set(CPACK_PACKAGE_CONTACT "MirrorDesk developers <dev@mirrordesk.invalid>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "MirrorDesk keeps copies of git repositories in step across GitHub, GitLab,\n\
Bitbucket and local servers, with a status table for every mirror and a\n\
command line for scripts and cron jobs.")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_VERBATIM_VARIABLES ON)

# Package only our component, but as one plain package (no per-component .debs).
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${PROJECT_BINARY_DIR};${PROJECT_NAME};${MIRRORDESK_INSTALL_COMPONENT};/")

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "MirrorDesk developers <dev@mirrordesk.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION vcs)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps adds the shared libraries (Qt, libgit2, QtKeychain, OpenSSL, RE2); the SVG
# icon plugins and the git command line are loaded/run, not linked, so they are listed by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6, git")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

find_program(MIRRORDESK_DPKG dpkg)
mark_as_advanced(MIRRORDESK_DPKG)
if(MIRRORDESK_DPKG)
    execute_process(COMMAND "${MIRRORDESK_DPKG}" --print-architecture
        OUTPUT_VARIABLE _md_arch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(NOT _md_arch)
    string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _md_arch)
    if(_md_arch STREQUAL "x86_64")
        set(_md_arch amd64)
    elseif(_md_arch STREQUAL "aarch64")
        set(_md_arch arm64)
    endif()
endif()
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${_md_arch}")
# Debian's own naming: mirrordesk_0.1.0_amd64.deb
set(CPACK_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}_${PROJECT_VERSION}_${_md_arch}")
set(CPACK_DEBIAN_FILE_NAME "${CPACK_PACKAGE_FILE_NAME}.deb")

# `make package_source`: a plain tarball of the tree without build output or VCS data.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}-${PROJECT_VERSION}")
set(CPACK_SOURCE_IGNORE_FILES "/build/" "/\\.git/" "/\\.cache/" "\\.user$")

include(CPack)
unset(_md_res)
unset(_md_arch)
