#ifndef TALLY_CEDITLINE_SHIM_H
#define TALLY_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>
#endif
