# SPDX-License-Identifier: GPL-2.0
"""The suite's scale knobs for python tests: the table is lib/knobs.sh.

    import knobs
    ACKS = knobs.get_int("MYTCP_SACK_ACKS")

get() returns the environment's value when set and non-empty, else the
knob's DEFAULT column (the debug lane exports its own values).
"""
import os
import shlex

_TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "knobs.sh")


def _defaults():
    d = {}
    with open(_TABLE) as f:
        for line in f:
            w = line.split(None, 1)
            if w and w[0] == "knob" and len(w) == 2 and w[1][0].isupper():
                name, default = shlex.split(w[1])[:2]
                d[name] = default
    return d


DEFAULTS = _defaults()


def get(name):
    """NAME from the environment, or its default from knobs.sh."""
    return os.environ.get(name) or DEFAULTS[name]


def get_int(name):
    return int(get(name))


def get_float(name):
    return float(get(name))
