#include "ptqc/file_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "ptqc/error.h"

namespace ptqc {

void write_file_atomically(const std::string& path, std::string_view bytes) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".tmpXXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw Error(ErrorCode::kFileIo, "cannot create a file in " + dir.string() + ": " + std::strerror(errno));
  size_t done = 0;
  bool ok = ::fchmod(fd, 0644) == 0;  // mkstemp creates 0600; outputs are ordinary readable files
  while (ok && done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  const int saved_errno = errno;
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(ErrorCode::kFileIo, "cannot write " + path + ": " + std::strerror(saved_errno ? saved_errno : errno));
  }
}

void ensure_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    throw Error(ErrorCode::kFileIo, "cannot create folder " + dir + (ec ? ": " + ec.message() : ""));
  }
}

}  // namespace ptqc
