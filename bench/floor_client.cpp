// floor_client: the cheapest possible "ls-remote" over git:// (protocol v0),
// used as the performance floor for `mirrordesk check` (DESIGN.md section 8).
//
// Usage: floor_client HOST PORT THREADS < paths     (one "/rK.git" per line)
// For each path: connect, send the pkt-line "git-upload-pack PATH\0host=HOST\0",
// read pkt-lines up to the flush "0000" (the ref advertisement), send "0000", close.
// Prints "<ok> ok, <failed> failed, <refs> refs"; exits 1 if any failed.
// Build: g++ -O2 -pthread -o floor_client floor_client.cpp
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

static bool readFull(int fd, char *buf, size_t n) {
    while (n > 0) {
        ssize_t r = ::read(fd, buf, n);
        if (r <= 0) return false;
        buf += r;
        n -= size_t(r);
    }
    return true;
}

static bool writeFull(int fd, const std::string &s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t w = ::write(fd, s.data() + off, s.size() - off);
        if (w <= 0) return false;
        off += size_t(w);
    }
    return true;
}

// One ls-remote; returns the number of advertised refs, or -1 on error.
static int lsRemote(const sockaddr_in &addr, const std::string &host, const std::string &path) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int refs = -1;
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) == 0) {
        std::string body = "git-upload-pack " + path + std::string(1, '\0') + "host=" + host + std::string(1, '\0');
        char len[5];
        std::snprintf(len, sizeof len, "%04zx", body.size() + 4);
        if (writeFull(fd, len + body)) {
            int n = 0;
            char hdr[5] = {0};
            std::vector<char> buf(65536);
            while (readFull(fd, hdr, 4)) {
                unsigned long l = std::strtoul(hdr, nullptr, 16);
                if (l == 0) { refs = n; break; }           // flush: end of advertisement
                if (l < 4 || l > buf.size() || !readFull(fd, buf.data(), l - 4)) break;
                ++n;
            }
            if (refs >= 0) writeFull(fd, "0000");          // "no wants": ends upload-pack cleanly
        }
    }
    ::close(fd);
    return refs;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s HOST PORT THREADS < paths\n", argv[0]);
        return 2;
    }
    std::string host = argv[1];
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(std::atoi(argv[2])));
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return 2;
    int threads = std::max(1, std::atoi(argv[3]));

    std::vector<std::string> paths;
    for (std::string line; std::getline(std::cin, line);)
        if (!line.empty()) paths.push_back(line);

    std::atomic<size_t> next{0};
    std::atomic<int> ok{0}, failed{0};
    std::atomic<long> refs{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (size_t i; (i = next++) < paths.size();) {
                int r = lsRemote(addr, host, paths[i]);
                if (r < 0) ++failed; else { ++ok; refs += r; }
            }
        });
    for (auto &th : pool) th.join();
    std::printf("%d ok, %d failed, %ld refs\n", ok.load(), failed.load(), refs.load());
    return failed ? 1 : 0;
}
