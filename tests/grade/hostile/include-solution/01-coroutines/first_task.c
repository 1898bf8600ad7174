/*
 * Hostile: the reference solution, included through -Ilib, which
 * resolves "../solutions/..." from lib/.
 */
#include "../solutions/01-coroutines/first_task.c"
