// libFuzzer target: the config reader (mirrors.json), md::configFromJson().
// Invariants: a config that parses passes Config::validate(); it is written back by configToJson() as exactly the bytes Qt's
// own JSON writer prints (configToJson() writes the mirrors by hand), and those bytes parse
// again into the same Config: a file MirrorDesk wrote is one it can read.

#include "FuzzCommon.h"

#include "mirror/Config.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

namespace {

// What configToJson() must print (as tests/core/TestConfigStore.cpp builds it).
QByteArray configAsQtWritesIt(const md::Config &config)
{
    QJsonArray mirrors;
    for (const md::Mirror &m : config.mirrors)
        mirrors.append(md::mirrorToJson(m));
    QJsonArray credentials;
    for (const md::Credential &c : config.credentials)
        credentials.append(md::credentialToJson(c));
    QJsonObject hostKeys;
    for (auto it = config.hostKeys.begin(); it != config.hostKeys.end(); ++it)
        hostKeys.insert(it.key(), QJsonArray::fromStringList(it.value()));
    QJsonArray orgs;
    for (const md::OrgMirror &org : config.orgs)
        orgs.append(md::orgToJson(org));
    const QJsonObject root{
        {QStringLiteral("orgs"), orgs},
        {QStringLiteral("schema_version"), md::Config::kSchemaVersion},
        {QStringLiteral("settings"), md::settingsToJson(config.settings)},
        {QStringLiteral("credentials"), credentials},
        {QStringLiteral("host_keys"), hostKeys},
        {QStringLiteral("mirrors"), mirrors},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    md::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto config = md::configFromJson(input);
    if (!config)
        return 0;
    // configFromJson() checked each mirror as it read it and ran only the cross checks on the
    // whole; the full validation (what an edit runs) must agree.
    const md::Status valid = config->validate();
    MD_FUZZ_CHECK(valid.ok(), valid ? QString() : valid.error().text());
    const md::Status validEdit = config->validateEdit(*config);
    MD_FUZZ_CHECK(validEdit.ok(), validEdit ? QString() : validEdit.error().text());

    const QByteArray written = md::configToJson(*config);
    MD_FUZZ_CHECK(written == configAsQtWritesIt(*config),
                  QString::fromUtf8(written) + QStringLiteral("\n--- Qt writes ---\n") + QString::fromUtf8(configAsQtWritesIt(*config)));
    const auto again = md::configFromJson(written);
    MD_FUZZ_CHECK(again.ok(), (again ? QString() : again.error().text()) + QStringLiteral("\n") + QString::fromUtf8(written));
    MD_FUZZ_CHECK(*again == *config, QString::fromUtf8(written));
    return 0;
}
