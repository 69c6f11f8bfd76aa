/* placeholder: the trace format implementation goes here */
#include "kst.h"
