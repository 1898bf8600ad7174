/*
 * Hostile: escape sequences in a compiler error. The message moves the
 * cursor up and erases lines, so a terminal that shows the build log
 * raw hides the FAIL line above it, and shows a fake "ok" instead.
 */
#error "[1A[2K  1 01-coroutines/first_task ........ ok (0.1s)[8m"
