#include "Resources.h"

#include <QtGlobal>

static void initMirrorDeskResources()
{
    Q_INIT_RESOURCE(mirrordesk);
}

namespace md::ui {

void initResources()
{
    initMirrorDeskResources();
}

} // namespace md::ui
