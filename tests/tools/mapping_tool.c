/*
 * mapping_tool.c - a small Windows tool for the tests: hold a named file
 * mapping that demo 02 must refuse, and say afterwards whether anybody
 * changed it.
 *
 *   mapping-tool.exe NAME SIZE zero|garbage SECONDS
 *
 * Creates Local\NAME (paging file, SIZE bytes), prints "ready", waits
 * SECONDS, then prints "unchanged" or "changed". Exit 0, 1 on failure.
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: mapping-tool.exe NAME SIZE zero|garbage SECONDS\n");
        return 2;
    }
    char name[300];
    snprintf(name, sizeof name, "Local\\%s", argv[1]);
    DWORD size = (DWORD)strtoul(argv[2], NULL, 0);
    HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, size, name);
    if (mapping == NULL || GetLastError() == ERROR_ALREADY_EXISTS) {
        fprintf(stderr, "mapping-tool: CreateFileMappingA(%s): error %lu\n", name, GetLastError());
        return 1;
    }
    unsigned char *view = MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, size);
    if (view == NULL) {
        fprintf(stderr, "mapping-tool: MapViewOfFile: error %lu\n", GetLastError());
        return 1;
    }
    unsigned char *copy = malloc(size);
    if (copy == NULL)
        return 1;
    for (DWORD i = 0; i < size; i++)
        view[i] = strcmp(argv[3], "garbage") == 0 ? (unsigned char)(0xa5 ^ (i * 37)) : 0;
    memcpy(copy, view, size);
    printf("ready\n");
    fflush(stdout);
    Sleep((DWORD)strtoul(argv[4], NULL, 10) * 1000);
    printf(memcmp(copy, view, size) == 0 ? "unchanged\n" : "changed\n");
    fflush(stdout);
    free(copy);
    UnmapViewOfFile(view);
    CloseHandle(mapping);
    return 0;
}
