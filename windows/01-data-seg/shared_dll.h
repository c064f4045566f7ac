/*
 * shared_dll.h - the interface of 01-shared-dll.dll: a counter in a shared
 * section of the DLL, shared by every process that loads this DLL file,
 * whichever program it is.
 */
#ifndef SHARED_DLL_H
#define SHARED_DLL_H

#include <windows.h>

#ifdef BUILDING_SHARED_DLL
#define SHARED_DLL_API __declspec(dllexport)
#else
#define SHARED_DLL_API __declspec(dllimport)
#endif

/* NULL when the DLL's section holds our counter, else why not. */
SHARED_DLL_API const char *shared_dll_problem(void);
SHARED_DLL_API LONG shared_dll_join(void);  /* the count with us in it */
SHARED_DLL_API LONG shared_dll_leave(void); /* the count without us */
SHARED_DLL_API LONG shared_dll_count(void); /* the count now */

#endif
