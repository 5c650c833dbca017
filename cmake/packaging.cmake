# Debian packages of netpower, one per component (docs/install.md):
#
#   netpower-agent    netpower-agent, netpower-simctl, its unit, /etc/netpower/agent.yaml, snmpd examples
#   netpower-manager  netpower-manager, netpowerctl, its unit, /etc/netpower/manager.yaml, the
#                     Prometheus rules and the Grafana dashboard (/usr/share/netpower/)
#   netpower-host     netpower-host and its unit, once the target exists (the unit when it exists)
#   netpower-mibs     Sentry2-MIB and NETPOWER-MIB where net-snmp finds them (/usr/share/snmp/mibs)
#
# `cmake --build build --target package-deb` writes build/packages/*.deb (`cpack -G DEB` in the
# build folder writes them there too; `-B DIR` elsewhere). Included last from the top-level
# CMakeLists.txt. The binaries' own install() rules carry their COMPONENT; this file adds the
# files that only the packages need.

include(GNUInstallDirs)

set(_np_deploy ${PROJECT_SOURCE_DIR}/deploy)
set(_np_scripts ${PROJECT_BINARY_DIR}/packaging)
set(_np_units /lib/systemd/system)  # Debian 12's dh_installsystemd place (merged /usr: the same)

# netpower_package_scripts(<component> <package> <unit> <conffiles...>): postinst/prerm/postrm from
# deploy/debian/*.in, plus the conffiles list, into CPACK_DEBIAN_<COMPONENT>_PACKAGE_CONTROL_EXTRA.
function(netpower_package_scripts component package unit)
  set(NETPOWER_PACKAGE ${package})
  set(NETPOWER_UNIT ${unit})
  list(JOIN ARGN " " NETPOWER_CONFFILES)
  set(dir ${_np_scripts}/${component})
  set(extra)
  foreach(script postinst prerm postrm)
    configure_file(${_np_deploy}/debian/${script}.in ${dir}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                    WORLD_READ WORLD_EXECUTE)
    list(APPEND extra ${dir}/${script})
  endforeach()
  if(ARGN)
    list(JOIN ARGN "\n" lines)
    file(WRITE ${dir}/conffiles "${lines}\n")
    list(APPEND extra ${dir}/conffiles)
  endif()
  string(TOUPPER ${component} upper)
  set(CPACK_DEBIAN_${upper}_PACKAGE_CONTROL_EXTRA "${extra}" PARENT_SCOPE)
endfunction()

# --- netpower-agent ------------------------------------------------------------------------------
install(FILES ${_np_deploy}/systemd/netpower-agent.service DESTINATION ${_np_units} COMPONENT agent)
install(FILES ${_np_deploy}/examples/agent.yaml DESTINATION /etc/netpower COMPONENT agent)
install(FILES ${_np_deploy}/examples/agent.yaml ${_np_deploy}/examples/snmpd-netpower.conf
              ${_np_deploy}/snmpd/snmpd.conf ${_np_deploy}/snmpd/snmpd-communities.conf
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/netpower-agent/examples COMPONENT agent)
install(FILES ${PROJECT_SOURCE_DIR}/docs/install.md ${PROJECT_SOURCE_DIR}/docs/agent.md
              ${PROJECT_SOURCE_DIR}/docs/access.md
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/netpower-agent COMPONENT agent)
netpower_package_scripts(agent netpower-agent netpower-agent.service /etc/netpower/agent.yaml)

# --- netpower-manager ----------------------------------------------------------------------------
install(FILES ${_np_deploy}/systemd/netpower-manager.service DESTINATION ${_np_units}
        COMPONENT manager)
install(FILES ${_np_deploy}/examples/manager.yaml DESTINATION /etc/netpower COMPONENT manager)
install(FILES ${_np_deploy}/examples/manager.yaml
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/netpower-manager/examples COMPONENT manager)
install(FILES ${_np_deploy}/prometheus/prometheus.yml ${_np_deploy}/prometheus/netpower-alerts.yml
              ${_np_deploy}/prometheus/netpower-alerts.test.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/netpower/prometheus COMPONENT manager)
install(FILES ${_np_deploy}/grafana/netpower-dashboard.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/netpower/grafana/dashboards COMPONENT manager)
install(DIRECTORY ${_np_deploy}/grafana/provisioning
        DESTINATION ${CMAKE_INSTALL_DATADIR}/netpower/grafana COMPONENT manager)
install(FILES ${PROJECT_SOURCE_DIR}/docs/install.md ${PROJECT_SOURCE_DIR}/docs/manager.md
              ${PROJECT_SOURCE_DIR}/docs/metrics.md ${PROJECT_SOURCE_DIR}/docs/api.md
              ${PROJECT_SOURCE_DIR}/docs/netpowerctl.md
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/netpower-manager COMPONENT manager)
netpower_package_scripts(manager netpower-manager netpower-manager.service
                         /etc/netpower/manager.yaml)

set(_np_components agent manager mibs)

# --- netpower-host (being written: packaged as soon as its target exists; its unit and example
# configuration join when deploy/systemd/netpower-host.service and deploy/examples/host.yaml do) ---
if(TARGET netpower-host)
  install(TARGETS netpower-host RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR} COMPONENT host)
  if(EXISTS ${_np_deploy}/systemd/netpower-host.service)
    install(FILES ${_np_deploy}/systemd/netpower-host.service DESTINATION ${_np_units}
            COMPONENT host)
  endif()
  set(_np_host_conffiles)
  if(EXISTS ${_np_deploy}/examples/host.yaml)
    install(FILES ${_np_deploy}/examples/host.yaml DESTINATION /etc/netpower COMPONENT host)
    install(FILES ${_np_deploy}/examples/host.yaml
            DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/netpower-host/examples COMPONENT host)
    set(_np_host_conffiles /etc/netpower/host.yaml)
  endif()
  netpower_package_scripts(host netpower-host netpower-host.service ${_np_host_conffiles})
  list(APPEND _np_components host)
endif()

# --- CPack ---------------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME netpower)
set(CPACK_PACKAGE_VENDOR netpower)
set(CPACK_PACKAGE_CONTACT "netpower maintainers <netpower@example.net>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SNMP-centric power management for racks and UPSes")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL ${_np_components})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # dpkg-shlibdeps (dpkg-dev) fills Depends from the binaries
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.net/netpower")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME netpower-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_AGENT_PACKAGE_RECOMMENDS "snmpd, netpower-mibs")
set(CPACK_DEBIAN_AGENT_PACKAGE_SUGGESTS "nut-server")
set(CPACK_DEBIAN_AGENT_DESCRIPTION
    "netpower agent: an AgentX subagent of snmpd\nserving a PDU chain as the Sentry2-MIB, a UPS as the UPS-MIB (RFC 1628) and\ntheir settings as the NETPOWER-MIB, with the outlet rules and traps.")

set(CPACK_DEBIAN_MANAGER_PACKAGE_NAME netpower-manager)
set(CPACK_DEBIAN_MANAGER_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_MANAGER_PACKAGE_RECOMMENDS "netpower-mibs")
set(CPACK_DEBIAN_MANAGER_PACKAGE_SUGGESTS "postgresql, prometheus, grafana")
set(CPACK_DEBIAN_MANAGER_DESCRIPTION
    "netpower manager and netpowerctl\npolls netpower agents over SNMP, receives their traps, keeps history in\nSQLite or PostgreSQL, exports Prometheus metrics and serves a JSON API.")

set(CPACK_DEBIAN_HOST_PACKAGE_NAME netpower-host)
set(CPACK_DEBIAN_HOST_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_HOST_DESCRIPTION
    "netpower host daemon\nanswers its outlet's tickles with the host's identity and shuts the host\ndown when told.")

set(CPACK_DEBIAN_MIBS_PACKAGE_NAME netpower-mibs)
set(CPACK_DEBIAN_MIBS_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_MIBS_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_MIBS_DESCRIPTION
    "netpower MIB modules: Sentry2-MIB and NETPOWER-MIB\nfor NMS consoles and the net-snmp tools (/usr/share/snmp/mibs).")

include(CPack)

add_custom_target(package-deb
  COMMAND ${CMAKE_CPACK_COMMAND} -G DEB --config ${PROJECT_BINARY_DIR}/CPackConfig.cmake
          -B ${PROJECT_BINARY_DIR}/packages
  WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
  COMMENT "Building the Debian packages into ${PROJECT_BINARY_DIR}/packages"
  VERBATIM)
add_dependencies(package-deb netpower-agent netpower-simctl netpower-manager netpowerctl)
if(TARGET netpower-host)
  add_dependencies(package-deb netpower-host)
endif()
