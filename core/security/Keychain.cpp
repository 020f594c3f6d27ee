#include "security/Keychain.h"

#include "util/Log.h"

#include <QJsonObject>
#include <QPointer>
#include <QTimer>

#include <qt6keychain/keychain.h>

#ifdef Q_OS_LINUX
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#endif

#include <memory>

namespace md::keychain {

namespace {

// `summary` is the short reason ("the keychain is locked"), kept in the detail for front ends
// that word the advice themselves.
Error keychainError(const QString &kind, const QString &message, const QString &summary = {})
{
    Error error{ErrorCategory::Keychain, message, {}, 0, 0};
    error.detail = QJsonObject{{QStringLiteral("keychain"), kind}, {QStringLiteral("summary"), summary}};
    return error;
}

QString alternatives(const QString &credential)
{
    return QStringLiteral("keep the secret in an environment variable or an owner-only file instead "
                          "(mirrordesk credential add|edit %1 --secret-env VAR, or --secret-file PATH)")
        .arg(credential);
}

// QtKeychain's answer as our error. `what` says what was tried ("reading the secret of credential \"x\"").
Error toError(QKeychain::Error code, const QString &backendText, const QString &credential, const QString &what)
{
    switch (code) {
    case QKeychain::EntryNotFound:
        return keychainError(QStringLiteral("no_entry"),
                             QStringLiteral("the keychain holds no secret for credential \"%1\" (%2); store one with "
                                            "mirrordesk credential edit %1 --secret-stdin")
                                 .arg(credential, keyOf(credential)));
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return keychainError(backendText.contains(QLatin1String("locked"), Qt::CaseInsensitive) ? QStringLiteral("locked")
                                                                                                : QStringLiteral("denied"),
                             QStringLiteral("the keychain refused %1 (%2); unlock it, or %3")
                                 .arg(what, backendText, alternatives(credential)),
                             QStringLiteral("the keychain refused it (%1)").arg(backendText));
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return keychainError(QStringLiteral("unavailable"),
                             QStringLiteral("no keychain is available here for %1 (%2); start a Secret Service "
                                            "(gnome-keyring or KWallet) in this session, or %3")
                                 .arg(what, backendText, alternatives(credential)),
                             QStringLiteral("no keychain is available here (%1)").arg(backendText));
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
    case QKeychain::NoError:
        break;
    }
    // libsecret reports a locked collection and a missing D-Bus session as "other" errors.
    const bool locked = backendText.contains(QLatin1String("lock"), Qt::CaseInsensitive)
        || backendText.contains(QLatin1String("prompt"), Qt::CaseInsensitive);
    if (locked)
        return keychainError(QStringLiteral("locked"), QStringLiteral("the keychain is locked (%1) while %2; unlock it, or %3")
                                                           .arg(backendText, what, alternatives(credential)),
                             QStringLiteral("the keychain is locked (%1)").arg(backendText));
    return keychainError(QStringLiteral("unavailable"), QStringLiteral("the keychain is unavailable for %1 (%2); %3")
                                                            .arg(what, backendText, alternatives(credential)),
                         QStringLiteral("the keychain is unavailable (%1)").arg(backendText));
}

// Runs one job against a timeout. `finish` runs once, queued on `context`: with the job's error
// code and text, and (for reads) its data, or with timedOut.
struct Answer {
    QKeychain::Error code = QKeychain::NoError;
    QString text;
    QByteArray data;
    bool timedOut = false;
};

void runJob(QKeychain::Job *job, QObject *context, std::function<void(const Answer &)> finish)
{
    auto settled = std::make_shared<bool>(false);
    auto deliver = [settled, context = QPointer<QObject>(context), finish = std::move(finish)](Answer answer) {
        if (*settled || !context)
            return;
        *settled = true;
        QMetaObject::invokeMethod(context, [finish, answer = std::move(answer)] { finish(answer); }, Qt::QueuedConnection);
    };
    auto *timer = new QTimer(context);
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, timer, [deliver, timer] {
        Answer answer;
        answer.timedOut = true;
        deliver(answer);
        timer->deleteLater();
    });
    QObject::connect(job, &QKeychain::Job::finished, job, [deliver, timer = QPointer<QTimer>(timer)](QKeychain::Job *done) {
        if (timer) {
            timer->stop();
            timer->deleteLater();
        }
        Answer answer;
        answer.code = done->error();
        answer.text = done->errorString();
        if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(done))
            answer.data = read->binaryData();
        deliver(answer);
    });
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    timer->start(timeoutMs());
    job->start();
}

Error timeoutError(const QString &what, const QString &credential)
{
    return keychainError(QStringLiteral("timeout"),
                         QStringLiteral("the keychain did not answer within %1 s while %2 (locked, waiting for a prompt?); "
                                        "unlock it, or %3")
                             .arg(timeoutMs() / 1000.0, 0, 'f', 1)
                             .arg(what, alternatives(credential)),
                         QStringLiteral("the keychain did not answer within %1 s").arg(timeoutMs() / 1000.0, 0, 'f', 1));
}

// libsecret does not search locked collections, so QtKeychain reports a secret in a locked
// keychain as "no entry". The Secret Service's SearchItems tells them apart: it lists matching
// items in locked collections separately. Calls `answer(true)` when the entry exists but is locked.
void probeLocked(const QString &credential, QObject *context, std::function<void(bool)> answer)
{
#ifdef Q_OS_LINUX
    using Attributes = QMap<QString, QString>;
    static const int registered = [] {
        qDBusRegisterMetaType<Attributes>();
        return 0;
    }();
    Q_UNUSED(registered);
    QDBusMessage call = QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.secrets"), QStringLiteral("/org/freedesktop/secrets"),
                                                       QStringLiteral("org.freedesktop.Secret.Service"), QStringLiteral("SearchItems"));
    call << QVariant::fromValue(Attributes{{QStringLiteral("user"), keyOf(credential)}, {QStringLiteral("server"), serviceName()}});
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        QMetaObject::invokeMethod(context, [answer] { answer(false); }, Qt::QueuedConnection);
        return;
    }
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call, 5000), context);
    QObject::connect(watcher, &QDBusPendingCallWatcher::finished, context, [watcher, answer](QDBusPendingCallWatcher *) {
        watcher->deleteLater();
        QDBusPendingReply<QList<QDBusObjectPath>, QList<QDBusObjectPath>> reply = *watcher;
        answer(!reply.isError() && reply.argumentAt<0>().isEmpty() && !reply.argumentAt<1>().isEmpty());
    });
#else
    Q_UNUSED(credential);
    QMetaObject::invokeMethod(context, [answer] { answer(false); }, Qt::QueuedConnection);
#endif
}

} // namespace

QString serviceName() { return QStringLiteral("mirrordesk"); }

QString keyOf(const QString &credential) { return QStringLiteral("mirrordesk/") + credential; }

int timeoutMs()
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue("MIRRORDESK_KEYCHAIN_TIMEOUT_MS", &ok);
    return ok && value > 0 ? value : 15000;
}

QString errorKind(const Error &error)
{
    if (error.category != ErrorCategory::Keychain)
        return {};
    return error.detail.value(QStringLiteral("keychain")).toString();
}

QString errorSummary(const Error &error)
{
    const QString summary = error.detail.value(QStringLiteral("summary")).toString();
    return summary.isEmpty() ? error.message : summary;
}

bool isNoEntry(const Error &error) { return errorKind(error) == QLatin1String("no_entry"); }

void read(const QStringList &credentials, QObject *context, ReadDone done)
{
    struct Pending {
        QHash<QString, Result<QByteArray>> results;
        qsizetype left = 0;
        ReadDone done;
    };
    auto pending = std::make_shared<Pending>();
    pending->done = std::move(done);
    QStringList unique;
    for (const QString &name : credentials) {
        if (!unique.contains(name))
            unique.append(name);
    }
    pending->left = unique.size();
    if (unique.isEmpty()) {
        QMetaObject::invokeMethod(context, [pending] { pending->done({}); }, Qt::QueuedConnection);
        return;
    }
    for (const QString &name : unique) {
        auto *job = new QKeychain::ReadPasswordJob(serviceName());
        job->setKey(keyOf(name));
        runJob(job, context, [pending, name, context](const Answer &answer) {
            const QString what = QStringLiteral("reading the secret of credential \"%1\"").arg(name);
            auto settle = [pending, name](Result<QByteArray> result) {
                pending->results.insert(name, std::move(result));
                if (--pending->left == 0)
                    pending->done(std::move(pending->results));
            };
            if (answer.timedOut) {
                settle(timeoutError(what, name));
            } else if (answer.code == QKeychain::EntryNotFound) {
                probeLocked(name, context, [settle, name, what, answer](bool locked) {
                    settle(locked ? keychainError(QStringLiteral("locked"),
                                                  QStringLiteral("the keychain is locked: the secret of credential \"%1\" (%2) is "
                                                                 "there but cannot be read until it is unlocked; unlock it, or %3")
                                                      .arg(name, keyOf(name), alternatives(name)))
                                  : toError(answer.code, answer.text, name, what));
                });
            } else if (answer.code != QKeychain::NoError) {
                settle(toError(answer.code, answer.text, name, what));
            } else {
                settle(answer.data);
            }
        });
    }
}

void write(const QString &credential, const QByteArray &secret, QObject *context, Done done)
{
    auto *job = new QKeychain::WritePasswordJob(serviceName());
    job->setKey(keyOf(credential));
    job->setBinaryData(secret);
    runJob(job, context, [credential, done = std::move(done)](const Answer &answer) {
        const QString what = QStringLiteral("storing the secret of credential \"%1\"").arg(credential);
        if (answer.timedOut)
            done(timeoutError(what, credential));
        else if (answer.code != QKeychain::NoError)
            done(toError(answer.code, answer.text, credential, what));
        else
            done(Status{});
    });
}

void remove(const QString &credential, QObject *context, Done done)
{
    auto *job = new QKeychain::DeletePasswordJob(serviceName());
    job->setKey(keyOf(credential));
    runJob(job, context, [credential, context, done = std::move(done)](const Answer &answer) {
        const QString what = QStringLiteral("deleting the secret of credential \"%1\"").arg(credential);
        // Deleting needs no alternative: the advice is about unlocking, or the error alone.
        auto plain = [](Error error) {
            error.message = keychain::errorSummary(error) + QStringLiteral(" while deleting its secret");
            return error;
        };
        if (answer.timedOut) {
            done(plain(timeoutError(what, credential)));
        } else if (answer.code == QKeychain::NoError || answer.code == QKeychain::EntryNotFound) {
            // A locked keychain hides its entries: libsecret then deletes nothing and says so as
            // success or "not found". The entry is gone only if no locked collection holds it.
            probeLocked(credential, context, [done, credential](bool locked) {
                if (locked)
                    done(keychainError(QStringLiteral("locked"),
                                       QStringLiteral("the keychain is locked: the secret of credential \"%1\" (%2) cannot be "
                                                      "deleted until it is unlocked")
                                           .arg(credential, keyOf(credential))));
                else
                    done(Status{});
            });
        } else {
            done(plain(toError(answer.code, answer.text, credential, what)));
        }
    });
}

} // namespace md::keychain
