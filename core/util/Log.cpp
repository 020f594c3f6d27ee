#include "util/Log.h"

Q_LOGGING_CATEGORY(lcConfig, "mirrordesk.config", QtWarningMsg)
Q_LOGGING_CATEGORY(lcState, "mirrordesk.state", QtWarningMsg)
Q_LOGGING_CATEGORY(lcCli, "mirrordesk.cli", QtWarningMsg)
Q_LOGGING_CATEGORY(lcSecurity, "mirrordesk.security", QtWarningMsg)
Q_LOGGING_CATEGORY(lcSync, "mirrordesk.sync", QtWarningMsg)
Q_LOGGING_CATEGORY(lcProviders, "mirrordesk.providers", QtWarningMsg)
