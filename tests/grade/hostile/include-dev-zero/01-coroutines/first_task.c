/*
 * Hostile: the preprocessor reads /dev/zero, which never ends, and grows
 * its buffer until memory runs out; only limits on the compile stop it.
 */
#include "/dev/zero"
