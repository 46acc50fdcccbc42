#include "netmap/sandbox/socket_owner.hpp"

#include "netmap/base/text.hpp"

#include <charconv>
#include <map>
#include <mutex>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace netmap::sandbox {

namespace {

std::string slurp(const std::string& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::string s;
  s.resize(max);
  in.read(s.data(), static_cast<std::streamsize>(max));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

// "0100007F:1F90" → 0x1F90
std::optional<std::uint16_t> hex_port(std::string_view addr_port) {
  auto colon = addr_port.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  unsigned v = 0;
  auto tail = addr_port.substr(colon + 1);
  auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), v, 16);
  if (ec != std::errc() || p != tail.data() + tail.size() || v > 0xffff) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

bool numeric(const char* s) {
  if (*s == '\0') return false;
  for (; *s; ++s)
    if (*s < '0' || *s > '9') return false;
  return true;
}

bool holds_inode(std::int64_t pid, const std::string& link) {
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  bool found = false;
  char target[64];
  while (dirent* e = ::readdir(d)) {
    if (!numeric(e->d_name)) continue;
    ssize_t n = ::readlink((dir + "/" + e->d_name).c_str(), target, sizeof target);
    if (n > 0 && link == std::string_view(target, static_cast<std::size_t>(n))) {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

} // namespace

std::vector<ProcNetEntry> parse_proc_net(std::string_view text) {
  std::vector<ProcNetEntry> out;
  std::size_t start = 0;
  bool header = true;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    if (header) {
      header = false;
      continue;
    }
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    auto f = base::split(line, " \t");
    if (f.size() < 10) continue;
    auto lp = hex_port(f[1]);
    auto rp = hex_port(f[2]);
    std::uint64_t inode = 0;
    auto [p, ec] = std::from_chars(f[9].data(), f[9].data() + f[9].size(), inode);
    if (!lp || !rp || ec != std::errc()) continue;
    out.push_back({*lp, *rp, inode});
  }
  return out;
}

SocketOwnerFinder::SocketOwnerFinder(std::uint64_t netns_inode, std::int64_t hint_pid)
    : m_netns_inode(netns_inode), m_hint_pid(hint_pid) {}

std::vector<std::int64_t> SocketOwnerFinder::processes() const {
  m_walks.fetch_add(1, std::memory_order_relaxed);
  std::vector<std::int64_t> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  std::unordered_map<std::int64_t, bool> seen;
  {
    std::lock_guard lock(m_cache_mutex);
    while (dirent* e = ::readdir(d)) {
      if (!numeric(e->d_name)) continue;
      std::int64_t pid = std::stoll(e->d_name);
      auto it = m_cache.find(pid);
      bool inside = false;
      if (it != m_cache.end()) {
        inside = it->second;
      } else {
        struct stat st {};
        std::string ns = std::string("/proc/") + e->d_name + "/ns/net";
        if (::stat(ns.c_str(), &st) != 0) continue; // a zombie or gone: ask again next time
        inside = st.st_ino == m_netns_inode;
      }
      seen.emplace(pid, inside);
      if (inside) out.push_back(pid);
    }
    m_cache.swap(seen); // forget pids that are gone
  }
  ::closedir(d);
  return out;
}

std::optional<SocketOwner> SocketOwnerFinder::find(std::string_view transport, std::uint16_t local_port,
                                                   std::uint16_t remote_port) const {
  if ((local_port == 0 && remote_port == 0) || m_netns_inode == 0) return std::nullopt;
  auto pids = processes();
  if (pids.empty()) return std::nullopt;
  // Any process of the namespace shows its socket tables; prefer the long-lived first one.
  std::int64_t reader = pids.front();
  for (auto p : pids)
    if (p == m_hint_pid) reader = p;
  const std::string base = "/proc/" + std::to_string(reader) + "/net/" + std::string(transport);
  std::uint64_t inode = 0;
  for (const std::string& file : {base, base + "6"}) {
    for (const auto& e : parse_proc_net(slurp(file, 1 << 20))) {
      bool port_ok = local_port == 0 ? e.remote_port == remote_port && e.local_port != remote_port
                                     : e.local_port == local_port && (remote_port == 0 || e.remote_port == remote_port);
      if (port_ok && e.inode != 0) {
        inode = e.inode;
        break;
      }
    }
    if (inode != 0) break;
  }
  if (inode == 0) return std::nullopt;
  const std::string link = "socket:[" + std::to_string(inode) + "]";
  for (auto pid : pids)
    if (holds_inode(pid, link)) return SocketOwner{pid, process_command(pid)};
  return std::nullopt;
}

std::string process_command(std::int64_t pid, std::size_t max) {
  std::string raw = slurp("/proc/" + std::to_string(pid) + "/cmdline", max);
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  // The fenced program's bytes, as ps shows them: words joined by spaces, made printable.
  std::string out;
  for (const auto& word : base::split(raw, std::string_view("\0", 1))) out += (out.empty() ? "" : " ") + base::printable(word);
  return out;
}

std::uint16_t port_of(std::string_view address_port) noexcept {
  auto colon = address_port.rfind(':');
  if (colon == std::string_view::npos) return 0;
  if (address_port.front() != '[' && address_port.find(':') != colon) return 0; // bare IPv6, no port
  unsigned v = 0;
  auto tail = address_port.substr(colon + 1);
  auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), v);
  if (ec != std::errc() || p != tail.data() + tail.size() || v > 0xffff) return 0;
  return static_cast<std::uint16_t>(v);
}

} // namespace netmap::sandbox
