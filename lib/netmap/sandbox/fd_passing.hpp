#pragma once
// Passing file descriptors between processes over a Unix socket (SCM_RIGHTS, unix(7)).

#include "netmap/base/fd.hpp"

#include <optional>
#include <string>
#include <vector>

namespace netmap::sandbox {

/// Sends `fds` (at most 16) with a small tag payload in one message; empty string or the reason.
[[nodiscard]] std::string send_fds(int sock, const std::vector<int>& fds, const std::string& tag);

/// Receives one message of fds and its tag; nothing when the peer closed or sent no fds. Fds
/// beyond `max_fds` and truncated control data are closed and treated as failure.
[[nodiscard]] std::optional<std::vector<base::Fd>> receive_fds(int sock, std::size_t max_fds, std::string* tag);

} // namespace netmap::sandbox
