#pragma once

namespace md::ui {

// Registers the embedded icons (resources/mirrordesk.qrc). A static library's resources are only
// linked when referenced, so the window calls this once before using them.
void initResources();

} // namespace md::ui
