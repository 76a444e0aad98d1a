// The module's one function is inline in its header; SwiftPM needs a source file to build the target.
#include "CTetherPrefetch.h"
