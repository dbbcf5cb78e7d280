# CTest driver of the generic synthesis: runs Yosys on a script of synth/, keeps its log in the
# build tree and fails unless the statistics report a cell count.
#   cmake -DYOSYS=<yosys> -DRTL_DIR=<rtl/> -DSCRIPT=<synth/x.ys> -DLOG=<file> -P run_synth.cmake
execute_process(
  COMMAND ${YOSYS} -q -s ${SCRIPT} -l ${LOG}
  WORKING_DIRECTORY ${RTL_DIR}
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "yosys failed (${status}); see ${LOG}")
endif()
file(READ ${LOG} log)
string(REGEX MATCH "Number of cells: +([0-9]+)" found "${log}")
if(NOT found)
  message(FATAL_ERROR "no cell count in ${LOG}")
endif()
message(STATUS "nic_core: ${CMAKE_MATCH_1} cells (generic synthesis)")
