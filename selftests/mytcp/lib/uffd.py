# SPDX-License-Identifier: GPL-2.0
#
# A buffer whose first touch blocks the toucher (userfaultfd(2)) until the
# test lets it go: recv_into() this buffer and the kernel stops inside the
# copy to user space, with the socket owned (lock_sock()), for as long as
# the test wants.  Segments that arrive meanwhile go to the socket's
# backlog and are processed by release_sock() once the copy is done: the
# backlog path, deterministically (backlog.py).
#
# Needs root (CAP_SYS_PTRACE: faults in kernel mode), x86-64 or arm64.

import ctypes
import fcntl
import os
import platform
import select
import struct

NR_USERFAULTFD = {"x86_64": 323, "aarch64": 282}
UFFD_API = 0xAA
UFFDIO_API = 0xC018AA3F			# _IOWR(0xAA, 0x3F, struct uffdio_api)
UFFDIO_REGISTER = 0xC020AA00		# _IOWR(0xAA, 0x00, uffdio_register)
UFFDIO_COPY = 0xC028AA03		# _IOWR(0xAA, 0x03, struct uffdio_copy)
UFFDIO_REGISTER_MODE_MISSING = 1
UFFD_EVENT_PAGEFAULT = 0x12
PROT_READ, PROT_WRITE = 1, 2
MAP_PRIVATE, MAP_ANONYMOUS = 0x02, 0x20
PAGE = os.sysconf("SC_PAGE_SIZE")


class FaultingBuffer:
    """size bytes of anonymous memory registered with a userfaultfd."""

    def __init__(self, size=PAGE):
        self.libc = ctypes.CDLL(None, use_errno=True)
        nr = NR_USERFAULTFD.get(platform.machine())
        if nr is None:
            raise OSError("userfaultfd: unknown architecture")
        fd = self.libc.syscall(nr, os.O_CLOEXEC | os.O_NONBLOCK)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "userfaultfd")
        self.fd = fd
        fcntl.ioctl(fd, UFFDIO_API, bytearray(struct.pack("QQQ", UFFD_API,
                                                          0, 0)))
        self.size = (size + PAGE - 1) // PAGE * PAGE
        mmap = self.libc.mmap
        mmap.restype = ctypes.c_void_p
        mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                         ctypes.c_int, ctypes.c_int, ctypes.c_long]
        addr = mmap(None, self.size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap")
        self.addr = addr
        fcntl.ioctl(fd, UFFDIO_REGISTER,
                    bytearray(struct.pack("QQQQ", addr, self.size,
                                          UFFDIO_REGISTER_MODE_MISSING, 0)))
        self.page = ctypes.create_string_buffer(PAGE)

    def view(self):
        """A writable buffer over the memory (for recv_into)."""
        return memoryview((ctypes.c_char * self.size).from_address(
            self.addr)).cast("B")

    def wait_fault(self, timeout):
        """The address of the first fault within timeout seconds, or
        None: someone is now stopped in it."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return None
        msg = os.read(self.fd, 32)
        if len(msg) < 32 or msg[0] != UFFD_EVENT_PAGEFAULT:
            return None
        return struct.unpack_from("Q", msg, 16)[0]

    def release(self, addr):
        """Map the faulting page (zeros) and wake whoever waits on it."""
        dst = addr & ~(PAGE - 1)
        fcntl.ioctl(self.fd, UFFDIO_COPY,
                    bytearray(struct.pack("QQQQq", dst,
                                          ctypes.addressof(self.page),
                                          PAGE, 0, 0)))

    def close(self):
        os.close(self.fd)
