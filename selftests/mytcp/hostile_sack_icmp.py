#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Part of hostile.py's cases (see there), as a program of its own
# so that each stays well within the kselftest timeout on a slow VM.

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from hostile import CASES_SACK_ICMP
from tcp_peer import run_cases

if __name__ == "__main__":
    run_cases(CASES_SACK_ICMP)
