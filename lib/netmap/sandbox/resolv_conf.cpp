#include "netmap/sandbox/resolv_conf.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace netmap::sandbox {

std::string resolv_conf_text(const std::string& host_text, const std::vector<std::string>& nameservers) {
  std::string out = "# written by netmap sandbox-dns: the restrictive resolver is the only nameserver\n";
  for (const auto& ns : nameservers) out += "nameserver " + ns + "\n";
  std::istringstream in(host_text);
  std::string line;
  while (std::getline(in, line)) {
    auto t = base::trim(line);
    if (t.starts_with("search") || t.starts_with("domain") || t.starts_with("options")) out += std::string(t) + "\n";
  }
  return out;
}

TempFile::TempFile(const std::string& dir, const std::string& text) {
  std::string tmpl = dir + "/netmap-resolv.XXXXXX";
  int fd = mkstemp(tmpl.data());
  if (fd < 0) throw base::UserError("cannot create a file in " + dir + ": " + std::strerror(errno));
  fchmod(fd, 0644);
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmpl.c_str());
      throw base::UserError("cannot write " + tmpl + ": " + std::strerror(e));
    }
    off += static_cast<std::size_t>(n);
  }
  ::close(fd);
  m_path = tmpl;
}

TempFile::~TempFile() {
  if (!m_path.empty()) ::unlink(m_path.c_str());
}

std::string bind_resolv_conf(const std::string& file, const std::string& target) {
  if (unshare(CLONE_NEWNS) != 0) return std::string("unshare(CLONE_NEWNS) failed: ") + std::strerror(errno);
  // Without MS_PRIVATE a shared root (systemd's default) would carry the bind mount to the host.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return std::string("making mounts private failed: ") + std::strerror(errno);
  if (mount(file.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return "bind-mounting " + file + " over " + target + " failed: " + std::strerror(errno);
  return {};
}

std::vector<std::string> missing_resolver_capabilities() {
  std::ifstream in("/proc/self/status");
  std::string line;
  unsigned long long eff = 0;
  while (std::getline(in, line))
    if (line.starts_with("CapEff:")) eff = std::stoull(line.substr(7), nullptr, 16);
  std::vector<std::string> missing;
  if (!(eff & (1ull << 21))) missing.push_back("CAP_SYS_ADMIN");
  if (!(eff & (1ull << 10))) missing.push_back("CAP_NET_BIND_SERVICE");
  return missing;
}

} // namespace netmap::sandbox
