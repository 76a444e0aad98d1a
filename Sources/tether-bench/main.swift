// `tether-bench`: runs the shared benchmark workloads (see docs/PERFORMANCE.md).
import Tether

print("tether-bench: no workloads yet")
