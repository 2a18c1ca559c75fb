/* templates: the template cache (generations, current pointer) and provisioning a CT's private area. */
#pragma once

#include <stdbool.h>

/* Is NAME a valid template name ([A-Za-z0-9._-], no leading dot)? */
bool tmpl_name_valid(const char *name);
/* Build the built-in busybox template from a static busybox binary as a new generation of
 * TEMPLATES_DIR/NAME and make it current. */
int tmpl_build_busybox(const char *templates_dir, const char *name, const char *busybox);
/* Resolve TEMPLATES_DIR/NAME/current to the generation's rootfs path. -ENOENT if none. */
int tmpl_current_rootfs(const char *templates_dir, const char *name, char **ret_rootfs);

/* Storage layouts of a private area. */
typedef enum tmpl_layout {
        TMPL_LAYOUT_OVERLAY,
        TMPL_LAYOUT_COPY,
} tmpl_layout;

/* Create the private area PRIVATE from template rootfs LOWER (atomic: built aside, renamed in). */
int tmpl_provision(const char *lower, const char *private_dir, tmpl_layout layout);
/* Which layout does an existing private area have? */
int tmpl_private_layout(const char *private_dir, tmpl_layout *ret);
/* Mount the CT's root filesystem at ROOT from its private area (overlay or bind). */
int tmpl_mount_root(const char *private_dir, const char *root);
/* Is ROOT a mount point? 1 yes, 0 no. */
int tmpl_is_mounted(const char *root);
/* Unmount ROOT (lazily if busy). */
int tmpl_umount_root(const char *root);
