// SPDX-License-Identifier: Apache-2.0
// libsentencepiece as a reference, in its own process (it cannot share one with LibTorch):
//   spstudio_spm_reference encode MODEL PROMPTS   prints the ids of each NUL-separated prompt in the
//                                                  file PROMPTS, one line per prompt
//   spstudio_spm_reference train ARGS...          runs SentencePieceTrainer with ARGS
// Exit status 0 on success; 1 with the library's message on stderr otherwise.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "encode" && argc == 4) {
    sentencepiece::SentencePieceProcessor processor;
    if (const auto status = processor.Load(argv[2]); !status.ok()) {
      std::cerr << status.ToString() << "\n";
      return 1;
    }
    std::ifstream in(argv[3], std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    std::string prompt;
    while (std::getline(content, prompt, '\0')) {
      std::vector<int> ids;
      if (const auto status = processor.Encode(prompt, &ids); !status.ok()) {
        std::cerr << status.ToString() << "\n";
        return 1;
      }
      for (std::size_t i = 0; i < ids.size(); ++i)
        std::cout << (i ? " " : "") << ids[i];
      std::cout << "\n";
    }
    return 0;
  }
  if (command == "train" && argc > 2) {
    std::string args;
    for (int i = 2; i < argc; ++i)
      args += std::string(i > 2 ? " " : "") + argv[i];
    if (const auto status = sentencepiece::SentencePieceTrainer::Train(args); !status.ok()) {
      std::cerr << status.ToString() << "\n";
      return 1;
    }
    return 0;
  }
  std::cerr << "usage: spstudio_spm_reference encode MODEL PROMPTS | train ARGS...\n";
  return 1;
}
