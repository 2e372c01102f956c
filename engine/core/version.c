/*
 * core/version.c: the version of the library that runs, which a program
 * linked against a shared libasbuilt compares with the headers it was built
 * with. meson.build checks that the header's version is the project's.
 */
#include "asbuilt/core.h"

const char *ab_version(void)
{
    return AB_VERSION_STRING;
}

unsigned ab_version_number(void)
{
    return AB_VERSION_NUMBER;
}
