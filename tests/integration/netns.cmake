# Root test of the netns/ library: a small driver calls the library, netns_lib.sh drives it inside throwaway
# network namespaces. Included from tests/integration/CMakeLists.txt.
add_executable(netns-driver ${CMAKE_CURRENT_LIST_DIR}/netns-driver.c)
target_link_libraries(netns-driver PRIVATE vpsctl_netns)
add_test(NAME integration.netns_lib
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/netns_lib.sh $<TARGET_FILE:netns-driver>)
set_tests_properties(integration.netns_lib PROPERTIES
  LABELS "root"
  SKIP_RETURN_CODE 77
  TIMEOUT 120)
