#include "ops/StateScan.h"

#include "mirror/MirrorStore.h"
#include "security/GitUrl.h"

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

MirrorView StateScanner::viewOf(const Config &config, const Mirror &mirror) const
{
    MirrorView view;
    view.mirror = mirror;
    view.sourceDisplay = GitUrl::scrub(mirror.source.url);
    view.targetDisplay = mirror.target.url.isEmpty() ? QString() : GitUrl::scrub(mirror.target.url);
    view.cachePath = mirror.effectiveCachePath(config.cacheRoot());
    view.intervalMinutes = mirror.effectiveIntervalMinutes(config.settings.defaultIntervalMinutes);
    return view;
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
    result.mirrors.reserve(config.mirrors.size());
    for (const Mirror &mirror : config.mirrors) {
        auto it = m_views.find(mirror.name);
        if (it == m_views.end())
            it = m_views.insert(mirror.name, viewOf(config, mirror));
        const std::pair<Signature, Signature> signature{signatureOf(state.fileOf(mirror.name)), signatureOf(state.checkFileOf(mirror.name))};
        const auto known = m_signatures.constFind(mirror.name);
        if (full || known == m_signatures.constEnd() || !(*known == signature)) {
            m_signatures.insert(mirror.name, signature);
            MirrorView &view = *it;
            view.statusProblem.clear();
            if (auto status = state.status(mirror.name)) {
                view.status = std::move(status).value();
            } else {
                view.status = StatusRecord();
                view.status.updateStatus = UpdateStatus::Failed;
                view.status.lastError = status.error().message;
                view.statusProblem = status.error().message;
            }
            result.withStatus.insert(mirror.name);
        }
        result.mirrors.append(*it);
    }
    result.config = m_config;
    return result;
}

} // namespace md
