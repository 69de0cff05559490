// SPDX-License-Identifier: GPL-2.0
/*
 * socket(2) on AF_MYTCP: the calls TCP accepts succeed, and every other
 * (type, protocol) fails the way AF_INET fails.  Nothing is hard-coded:
 * each case makes the same call on AF_INET first and compares.
 *
 *  - AF_INET fails          -> mytcp fails with the same errno.
 *  - AF_INET gives TCP      -> mytcp succeeds (SO_TYPE SOCK_STREAM,
 *                              SO_PROTOCOL IPPROTO_TCP).
 *  - AF_INET gives non-TCP  -> mytcp fails as inet_create() would with only
 *    (UDP, raw, MPTCP)         the TCP protosw registered: ESOCKTNOSUPPORT
 *                              for a type other than SOCK_STREAM, else
 *                              EPROTONOSUPPORT.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/mytcp_helpers.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static int load_or_skip(struct __test_metadata *_metadata)
{
	int ret = mytcp_ensure_loaded();

	if (ret == 1)
		return 1;
	ASSERT_EQ(0, ret) TH_LOG("cannot load mytcp from $MYTCP_KO");
	ASSERT_LT(0, mytcp_family()) TH_LOG("cannot read " MYTCP_FAMILY_PARAM);
	return 0;
}

static int sockopt_int(int fd, int opt)
{
	int val = -1;
	socklen_t len = sizeof(val);

	if (getsockopt(fd, SOL_SOCKET, opt, &val, &len))
		return -errno;
	return val;
}

FIXTURE(mytcp) {
	int family;
};

FIXTURE_SETUP(mytcp)
{
	if (load_or_skip(_metadata))
		SKIP(return, "mytcp not loaded and $MYTCP_KO not set");
	self->family = mytcp_family();
}

FIXTURE_TEARDOWN(mytcp)
{
}

TEST_F(mytcp, stream_default_protocol)
{
	int fd = socket(self->family, SOCK_STREAM, 0);

	ASSERT_LE(0, fd) TH_LOG("socket(%d, SOCK_STREAM, 0): %s",
				self->family, strerror(errno));
	EXPECT_EQ(SOCK_STREAM, sockopt_int(fd, SO_TYPE));
	EXPECT_EQ(IPPROTO_TCP, sockopt_int(fd, SO_PROTOCOL));
	EXPECT_EQ(0, close(fd));
}

TEST_F(mytcp, stream_ipproto_tcp)
{
	int fd = socket(self->family, SOCK_STREAM, IPPROTO_TCP);

	ASSERT_LE(0, fd) TH_LOG("socket(%d, SOCK_STREAM, IPPROTO_TCP): %s",
				self->family, strerror(errno));
	EXPECT_EQ(SOCK_STREAM, sockopt_int(fd, SO_TYPE));
	EXPECT_EQ(IPPROTO_TCP, sockopt_int(fd, SO_PROTOCOL));
	EXPECT_EQ(0, close(fd));
}

TEST_F(mytcp, stream_nonblock_cloexec)
{
	int fd = socket(self->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, close(fd));
}

TEST_F(mytcp, uapi_family_is_default)
{
	if (self->family != AF_MYTCP)
		SKIP(return, "module loaded with family=%d", self->family);
	int fd = socket(AF_MYTCP, SOCK_STREAM, 0);

	ASSERT_LE(0, fd) TH_LOG("socket(AF_MYTCP): %s", strerror(errno));
	EXPECT_EQ(0, close(fd));
}

TEST_F(mytcp, many_open_at_once)
{
	int fds[256], i;

	for (i = 0; i < 256; i++) {
		fds[i] = socket(self->family, SOCK_STREAM, 0);
		ASSERT_LE(0, fds[i]) TH_LOG("socket #%d: %s", i, strerror(errno));
	}
	for (i = 0; i < 256; i++)
		EXPECT_EQ(0, close(fds[i]));
}

FIXTURE(cmp_inet) {
	int family;
};

FIXTURE_VARIANT(cmp_inet) {
	int type;
	int protocol;
};

#define CASE(_name, _type, _proto)				\
	FIXTURE_VARIANT_ADD(cmp_inet, _name) {			\
		.type = (_type), .protocol = (_proto),		\
	}

CASE(stream_0, SOCK_STREAM, 0);
CASE(stream_tcp, SOCK_STREAM, IPPROTO_TCP);
CASE(stream_udp, SOCK_STREAM, IPPROTO_UDP);
CASE(stream_icmp, SOCK_STREAM, IPPROTO_ICMP);
CASE(stream_raw, SOCK_STREAM, IPPROTO_RAW);
CASE(stream_mptcp, SOCK_STREAM, IPPROTO_MPTCP);
CASE(stream_proto_neg, SOCK_STREAM, -1);
CASE(stream_proto_300, SOCK_STREAM, 300);
CASE(dgram_0, SOCK_DGRAM, 0);
CASE(dgram_tcp, SOCK_DGRAM, IPPROTO_TCP);
CASE(dgram_udp, SOCK_DGRAM, IPPROTO_UDP);
CASE(raw_0, SOCK_RAW, 0);
CASE(raw_tcp, SOCK_RAW, IPPROTO_TCP);
CASE(seqpacket_0, SOCK_SEQPACKET, 0);
CASE(seqpacket_tcp, SOCK_SEQPACKET, IPPROTO_TCP);
CASE(rdm_0, SOCK_RDM, 0);
CASE(type_7, 7, 0);
CASE(type_max, 11, 0);
CASE(stream_bad_flag, SOCK_STREAM | 0x10000000, 0);

FIXTURE_SETUP(cmp_inet)
{
	if (load_or_skip(_metadata))
		SKIP(return, "mytcp not loaded and $MYTCP_KO not set");
	self->family = mytcp_family();
}

FIXTURE_TEARDOWN(cmp_inet)
{
}

TEST_F(cmp_inet, same_errno_as_af_inet)
{
	int type = variant->type, proto = variant->protocol;
	int base_type = type & 0xf;
	int in_fd, in_err, fd, err, inet_tcp = 0;

	errno = 0;
	in_fd = socket(AF_INET, type, proto);
	in_err = errno;
	if (in_fd >= 0) {
		inet_tcp = sockopt_int(in_fd, SO_TYPE) == SOCK_STREAM &&
			   sockopt_int(in_fd, SO_PROTOCOL) == IPPROTO_TCP;
		close(in_fd);
	}

	errno = 0;
	fd = socket(self->family, type, proto);
	err = errno;
	if (fd >= 0)
		close(fd);

	if (in_fd < 0) {
		TH_LOG("AF_INET socket(%#x, %d): %s", type, proto, strerror(in_err));
		EXPECT_EQ(-1, fd) TH_LOG("mytcp accepted a call AF_INET rejects");
		EXPECT_EQ(in_err, err) TH_LOG("mytcp: %s, AF_INET: %s",
					       strerror(err), strerror(in_err));
	} else if (inet_tcp) {
		TH_LOG("AF_INET socket(%#x, %d) gives TCP", type, proto);
		EXPECT_LE(0, fd) TH_LOG("mytcp: %s", strerror(err));
	} else {
		int want = base_type != SOCK_STREAM ? ESOCKTNOSUPPORT
						    : EPROTONOSUPPORT;

		TH_LOG("AF_INET socket(%#x, %d) gives a non-TCP socket", type, proto);
		EXPECT_EQ(-1, fd) TH_LOG("mytcp accepted a non-TCP socket");
		EXPECT_EQ(want, err) TH_LOG("mytcp: %s, want %s",
					     strerror(err), strerror(want));
	}
}

TEST_HARNESS_MAIN
