# Prometheus exposition for GET /metrics. Included from app/CMakeLists.txt.
# The writer is pure C++ (no DPDK) so that it unit-tests without EAL; the renderer
# (metrics.cpp) is part of edgelease_app, beside the API server that serves it.
add_library(edgelease_metrics_writer STATIC ${CMAKE_CURRENT_LIST_DIR}/metrics_writer.cpp)
