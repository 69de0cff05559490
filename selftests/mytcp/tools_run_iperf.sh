#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Part 2 of tools_run.sh: iperf3 and nc under mytcp-run, against mytcp and
# Linux TCP peers (a program of its own for the kselftest timeout).
TOOLS_RUN_PART=2 exec "$(dirname "$(readlink -f "$0")")/tools_run.sh"
