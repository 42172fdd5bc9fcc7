#include "frontend/isolated_call.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "ptqc/error.h"

namespace ptqc {

namespace {

/// The child: runs \p work and writes its reply, prefixed by 'R', then exits.
[[noreturn]] void run_child(const std::function<std::string()>& work, int fd) {
  // A crash here is expected on hostile input: die by the signal (which the parent reports),
  // not in a handler inherited from the parent (a sanitizer's or a fuzzer's).
  for (int sig : {SIGSEGV, SIGFPE, SIGBUS, SIGILL, SIGABRT}) std::signal(sig, SIG_DFL);
  std::string reply = "R";
  reply += work();
  for (size_t done = 0; done < reply.size();) {
    const ssize_t n = ::write(fd, reply.data() + done, reply.size() - done);
    if (n <= 0) ::_exit(2);
    done += static_cast<size_t>(n);
  }
  ::_exit(0);
}

}  // namespace

IsolatedResult run_isolated(const std::function<std::string()>& work, int timeout_seconds) {
  int fds[2];
  if (::pipe(fds) != 0) throw Error(ErrorCode::kFileIo, "cannot create a pipe for a child process");
  std::fflush(nullptr);  // the child must not flush the parent's buffered output a second time
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw Error(ErrorCode::kInternal, "cannot start a child process");
  }
  if (child == 0) {
    ::close(fds[0]);
    run_child(work, fds[1]);
  }
  ::close(fds[1]);
  IsolatedResult result;
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  char buffer[1 << 16];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd pfd{fds[0], POLLIN, 0};
    const int ready = left.count() > 0 ? ::poll(&pfd, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      ::kill(child, SIGKILL);
      result.outcome = IsolatedResult::Outcome::kTimedOut;
      break;
    }
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of the reply (or a read error: judged below)
    received.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (result.outcome == IsolatedResult::Outcome::kTimedOut) return result;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || received.empty() || received[0] != 'R') {
    result.outcome = IsolatedResult::Outcome::kCrashed;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return result;
  }
  result.reply = received.substr(1);
  return result;
}

}  // namespace ptqc
