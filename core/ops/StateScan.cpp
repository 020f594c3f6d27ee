#include "ops/StateScan.h"

#include "mirror/MirrorStore.h"

#include <QFileInfo>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

namespace md {

StateScanner::StateScanner(QString stateDir)
    : m_stateDir(std::move(stateDir))
{
}

StateScanner::Signature StateScanner::signatureOf(const QString &path)
{
    Signature signature;
#ifdef Q_OS_UNIX
    struct stat info {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return signature;
    signature.mtimeNs = qint64(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
    signature.size = info.st_size;
    signature.inode = info.st_ino;
#else
    const QFileInfo info(path);
    if (!info.exists())
        return signature;
    signature.mtimeNs = info.lastModified().toMSecsSinceEpoch() * 1000000;
    signature.size = info.size();
#endif
    return signature;
}

StateScanner::Scan StateScanner::scan(const QString &configPath, bool full)
{
    Scan result;
    const Signature configSignature = signatureOf(configPath);
    if (full || !m_config || !(configSignature == m_configSignature) || configSignature.mtimeNs < 0) {
        auto config = MirrorStore(configPath).load();
        if (!config) {
            result.error = config.error();
            return result;
        }
        m_configSignature = configSignature;
        if (!m_config || !(*m_config == *config)) {
            result.configChanged = true;
            // Views of mirrors whose entry changed (or that went) are made again.
            QHash<QString, MirrorView> kept;
            const bool sameSettings = m_config && m_config->settings == config->settings;
            for (const Mirror &mirror : config->mirrors) {
                const auto it = m_views.constFind(mirror.name);
                if (sameSettings && it != m_views.constEnd() && it->mirror == mirror)
                    kept.insert(mirror.name, *it);
            }
            m_views = std::move(kept);
            QHash<QString, std::pair<Signature, Signature>> signatures;
            for (const Mirror &mirror : config->mirrors) {
                if (const auto it = m_signatures.constFind(mirror.name); it != m_signatures.constEnd() && m_views.contains(mirror.name))
                    signatures.insert(mirror.name, *it);
            }
            m_signatures = std::move(signatures);
            m_config = std::move(config).value();
        }
    }
    const Config &config = *m_config;
    const StateStore state(m_stateDir);
    // Views first (no insertion after this, so the pointers below stay valid), then one stat per
    // state file, then the changed states read on several threads.
    for (const Mirror &mirror : config.mirrors) {
        if (!m_views.contains(mirror.name))
            m_views.insert(mirror.name, viewOf(config, mirror));
    }
    QList<MirrorView *> toRead;
    for (const Mirror &mirror : config.mirrors) {
        const std::pair<Signature, Signature> signature{signatureOf(state.fileOf(mirror.name)), signatureOf(state.checkFileOf(mirror.name))};
        auto known = m_signatures.find(mirror.name);
        if (full || known == m_signatures.end() || !(*known == signature)) {
            m_signatures.insert(mirror.name, signature);
            toRead.append(&m_views[mirror.name]);
            result.withStatus.insert(mirror.name);
        }
    }
    readStatuses(toRead, m_stateDir);
    if (result.configChanged || full) {
        result.mirrors.reserve(config.mirrors.size());
        for (const Mirror &mirror : config.mirrors)
            result.mirrors.append(m_views.value(mirror.name));
    } else {
        // Only the states that changed: a scan while 10,000 checks write their results costs
        // the window O(changed), not a copy of every row.
        result.mirrors.reserve(toRead.size());
        for (const MirrorView *view : std::as_const(toRead))
            result.mirrors.append(*view);
    }
    result.config = m_config;
    return result;
}

} // namespace md
