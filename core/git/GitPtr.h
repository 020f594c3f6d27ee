#pragma once

#include <git2.h>

#include <memory>

namespace md::git {

// One owner type per libgit2 object: a unique_ptr with the object's free function.
template <typename T, void (*Free)(T *)>
struct GitDeleter {
    void operator()(T *object) const
    {
        if (object)
            Free(object);
    }
};

using RepositoryPtr = std::unique_ptr<git_repository, GitDeleter<git_repository, git_repository_free>>;
using RemotePtr = std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;
using ReferencePtr = std::unique_ptr<git_reference, GitDeleter<git_reference, git_reference_free>>;
using ReferenceIteratorPtr = std::unique_ptr<git_reference_iterator, GitDeleter<git_reference_iterator, git_reference_iterator_free>>;
using ObjectPtr = std::unique_ptr<git_object, GitDeleter<git_object, git_object_free>>;
using ConfigPtr = std::unique_ptr<git_config, GitDeleter<git_config, git_config_free>>;
using OdbPtr = std::unique_ptr<git_odb, GitDeleter<git_odb, git_odb_free>>;
using RefdbPtr = std::unique_ptr<git_refdb, GitDeleter<git_refdb, git_refdb_free>>;

// A git_buf that frees itself.
struct Buf {
    git_buf buf = GIT_BUF_INIT;
    ~Buf() { git_buf_dispose(&buf); }
    Buf() = default;
    Buf(const Buf &) = delete;
    Buf &operator=(const Buf &) = delete;
};

} // namespace md::git
