// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets are counted and freed: live_socks in /proc/net/mytcp_stat
 * follows open sockets and reads 0 after 10,000 socket()/close().
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/mytcp_helpers.h"

#define WAIT_MS 5000

FIXTURE(leak) {
	int family;
};

FIXTURE_SETUP(leak)
{
	int ret = mytcp_ensure_loaded();

	if (ret == 1)
		SKIP(return, "mytcp not loaded and $MYTCP_KO not set");
	ASSERT_EQ(0, ret) TH_LOG("cannot load mytcp from $MYTCP_KO");
	self->family = mytcp_family();
	ASSERT_LT(0, self->family);
	ASSERT_EQ(0, access(MYTCP_STAT_PATH, R_OK))
		TH_LOG(MYTCP_STAT_PATH ": %s", strerror(errno));
}

FIXTURE_TEARDOWN(leak)
{
}

TEST_F(leak, stat_keys_present)
{
	EXPECT_LE(0, mytcp_stat("live_socks"));
	EXPECT_LE(0, mytcp_stat("live_tw"));
	EXPECT_LE(0, mytcp_stat("live_skbs"));
}

TEST_F(leak, live_socks_counts_open_sockets)
{
	long long base = mytcp_stat_wait("live_socks", 0, WAIT_MS);
	int fds[100], i;

	ASSERT_EQ(0, base) TH_LOG("live_socks %lld before the test", base);
	for (i = 0; i < 100; i++) {
		fds[i] = socket(self->family, SOCK_STREAM, 0);
		ASSERT_LE(0, fds[i]) TH_LOG("socket: %s", strerror(errno));
	}
	EXPECT_EQ(100, mytcp_stat("live_socks"));
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, close(fds[i]));
	EXPECT_EQ(0, mytcp_stat_wait("live_socks", 0, WAIT_MS));
}

/* A few seconds on Debian's kernels; minutes under KASAN and lockdep
 * (the debug lane): the harness's default 30 s limit is too short there.
 */
TEST_F_TIMEOUT(leak, open_close_10000, 600)
{
	int i, fd;

	for (i = 0; i < 10000; i++) {
		fd = socket(self->family, SOCK_STREAM, 0);
		ASSERT_LE(0, fd) TH_LOG("socket #%d: %s", i, strerror(errno));
		ASSERT_EQ(0, close(fd));
	}
	EXPECT_EQ(0, mytcp_stat_wait("live_socks", 0, WAIT_MS));
	EXPECT_EQ(0, mytcp_stat_wait("live_skbs", 0, WAIT_MS));
}

TEST_HARNESS_MAIN
